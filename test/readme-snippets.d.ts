declare module 'virtual:readme-snippets' {
  const run: (api: Record<string, unknown>) => Promise<void>;
  export default run;
}
