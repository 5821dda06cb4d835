// Tests read JSON bodies of known shape and assert on them; typing every one as `unknown` only adds casts.
export {};
declare global {
  interface Response {
    json(): Promise<any>;
  }
}
