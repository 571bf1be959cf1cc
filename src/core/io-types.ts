/** Output lines of an operations command (each call is one line, no trailing newline). */
export interface OpsIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

/** Environment variables as a command sees them. */
export type OpsEnv = Readonly<Record<string, string | undefined>>;
