/** Output lines of a repository tool (each call is one line, no trailing newline). */
export interface ToolIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}
