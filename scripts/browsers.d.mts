export declare const CHROMIUM_ARGS: string[];
export declare function findChromium(): string | undefined;
export declare function findFirefox(): string | undefined;
export declare const CHROMIUM_MISSING: string;
export declare const FIREFOX_MISSING: string;
