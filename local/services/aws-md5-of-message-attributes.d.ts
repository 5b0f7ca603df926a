// aws-md5-of-message-attributes ships no type declarations: its module object is typed where
// sqs-attributes-digest.ts replaces its function.
declare module 'aws-md5-of-message-attributes' {
  const exports: unknown;
  export default exports;
}
