import type { Plugin } from 'vite';
export declare function extractSnippets(markdown: string): string[];
export declare function snippetModule(markdown: string): string;
export declare function readmeSnippets(): Plugin;
