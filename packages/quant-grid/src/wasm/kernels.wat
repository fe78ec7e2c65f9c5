;; SIMD kernels of @quant-trim/quant-grid. Compiled by scripts/build-wasm.mjs into kernels.generated.ts
;; (committed; a test checks it matches this source).
;;
;; fake_quantize(ptr, n, s, lo, hi, mode): in place over n float32 values at ptr (n a multiple of 4),
;;   v = x / s (float32 division, as ONNX QuantizeLinear), r = R(v) with the tie rule `mode`
;;   (0 half-even, 1 half-away, 2 half-up, 3 floor), r = clamp(r, lo, hi) with NaN → lo (ONNX Runtime
;;   maps NaN to qmin), x̂ = (r + 0) · s (the + 0 turns −0 into +0, as DequantizeLinear gives).
;;   lo = qmin − z and hi = qmax − z are integers, so clamping after rounding equals clamping before.
;;   Tie fixes: d = v − nearest(v) is exact in float32 (Sterbenz), and |d| = 0.5 marks a tie.
(module
  (memory (export "memory") 2)
  (func (export "fake_quantize") (param $p i32) (param $n i32) (param $s f32) (param $lo f32) (param $hi f32) (param $mode i32)
    (local $end i32) (local $vs v128) (local $vlo v128) (local $vhi v128) (local $zero v128)
    (local $half v128) (local $nhalf v128) (local $one v128) (local $v v128) (local $r v128) (local $d v128)
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $vlo (f32x4.splat (local.get $lo)))
    (local.set $vhi (f32x4.splat (local.get $hi)))
    (local.set $zero (f32x4.splat (f32.const 0)))
    (local.set $half (f32x4.splat (f32.const 0.5)))
    (local.set $nhalf (f32x4.splat (f32.const -0.5)))
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      ;; mode 0: half to even
      (if (i32.eqz (local.get $mode)) (then
        (loop $rne
          (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $r (f32x4.nearest (f32x4.div (v128.load (local.get $p)) (local.get $vs))))
          (local.set $r (f32x4.pmin (local.get $vhi) (f32x4.pmax (local.get $vlo) (local.get $r))))
          (v128.store (local.get $p) (f32x4.mul (f32x4.add (local.get $r) (local.get $zero)) (local.get $vs)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $rne))))
      ;; mode 1: half away from zero: ties with d = +0.5 and v > 0 go up, d = -0.5 and v < 0 go down
      (if (i32.eq (local.get $mode) (i32.const 1)) (then
        (loop $away
          (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $v (f32x4.div (v128.load (local.get $p)) (local.get $vs)))
          (local.set $r (f32x4.nearest (local.get $v)))
          (local.set $d (f32x4.sub (local.get $v) (local.get $r)))
          (local.set $r (f32x4.add (local.get $r)
            (v128.and (local.get $one) (v128.and (f32x4.eq (local.get $d) (local.get $half)) (f32x4.gt (local.get $v) (local.get $zero))))))
          (local.set $r (f32x4.sub (local.get $r)
            (v128.and (local.get $one) (v128.and (f32x4.eq (local.get $d) (local.get $nhalf)) (f32x4.lt (local.get $v) (local.get $zero))))))
          (local.set $r (f32x4.pmin (local.get $vhi) (f32x4.pmax (local.get $vlo) (local.get $r))))
          (v128.store (local.get $p) (f32x4.mul (f32x4.add (local.get $r) (local.get $zero)) (local.get $vs)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $away))))
      ;; mode 2: half up (toward +inf): ties with d = +0.5 go up
      (if (i32.eq (local.get $mode) (i32.const 2)) (then
        (loop $up
          (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $v (f32x4.div (v128.load (local.get $p)) (local.get $vs)))
          (local.set $r (f32x4.nearest (local.get $v)))
          (local.set $r (f32x4.add (local.get $r)
            (v128.and (local.get $one) (f32x4.eq (f32x4.sub (local.get $v) (local.get $r)) (local.get $half)))))
          (local.set $r (f32x4.pmin (local.get $vhi) (f32x4.pmax (local.get $vlo) (local.get $r))))
          (v128.store (local.get $p) (f32x4.mul (f32x4.add (local.get $r) (local.get $zero)) (local.get $vs)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $up))))
      ;; mode 3: floor
      (loop $floor
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $r (f32x4.floor (f32x4.div (v128.load (local.get $p)) (local.get $vs))))
        (local.set $r (f32x4.pmin (local.get $vhi) (f32x4.pmax (local.get $vlo) (local.get $r))))
        (v128.store (local.get $p) (f32x4.mul (f32x4.add (local.get $r) (local.get $zero)) (local.get $vs)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $floor))))
)
