// Exit codes of the Daxfile v1 contract (see README).
export const Exit = {
  ok: 0,
  jobFailed: 1,
  usage: 2,
  locked: 3,
  interrupted: 130,
} as const;
/** One of Exit's codes. */
export type ExitCode = (typeof Exit)[keyof typeof Exit];
