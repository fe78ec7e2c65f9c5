declare const __QUANT_TRIM_VERSION__: string | undefined;

/** This package's version, inlined at build time ('source' when running from the sources). */
export const VERSION: string = typeof __QUANT_TRIM_VERSION__ === 'string' ? __QUANT_TRIM_VERSION__ : 'source';
