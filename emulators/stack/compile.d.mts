/** Types of compile.mjs (plain JavaScript so `npm start` can run it before TypeScript loads). */
export declare const ROOT: string;
/** The compiled stack's directory: `start.mjs` (the supervisor) and `service.mjs` (one service process). */
export declare function compiledStack(o?: { stopBuilder?: boolean }): Promise<string>;
