// dynalite ships no type declarations: its modules are typed where they are read
// (dynalite-store.ts, dynalite-fast-path.ts).
declare module 'dynalite' {
  const dynalite: unknown;
  export default dynalite;
}

declare module 'dynalite/*' {
  const exports: unknown;
  export default exports;
}
