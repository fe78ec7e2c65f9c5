export declare function compileKernels(): Promise<string>;
export declare function renderGenerated(base64: string): string;
