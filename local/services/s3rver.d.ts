// s3rver ships no type declarations: its modules as `unknown`, typed where they are read
// (s3-emulator.ts).
declare module 's3rver' {
  const s3rver: unknown;
  export default s3rver;
}

declare module 's3rver/*' {
  const exports: unknown;
  export default exports;
}
