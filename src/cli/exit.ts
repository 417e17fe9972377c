// Exit codes of the Daxfile v1 contract (see README).
export const Exit = {
  ok: 0,
  jobFailed: 1,
  usage: 2,
  locked: 3,
  interrupted: 130,
  internal: 70, // a bug in dax, nothing else
} as const;
/** One of Exit's codes. */
export type ExitCode = (typeof Exit)[keyof typeof Exit];
