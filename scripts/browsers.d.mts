export declare const CHROMIUM_ARGS: string[];
export declare function findChromium(): string | undefined;
export declare function findFirefox(): string | undefined;
export declare function findWebKit(): { driver: string; miniBrowser: string } | undefined;
export declare function findXvfbRun(): string | undefined;
export declare const CHROMIUM_MISSING: string;
export declare const FIREFOX_MISSING: string;
export declare const WEBKIT_MISSING: string;
export declare const XVFB_MISSING: string;
