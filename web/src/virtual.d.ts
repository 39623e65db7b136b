declare module 'virtual:presets' {
  /** The preset scenario files (scenarios/*.yaml), parsed, by name (web/vite.config.ts). */
  const docs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  export default docs;
}
