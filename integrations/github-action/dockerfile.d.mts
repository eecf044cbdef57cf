export interface DockerStage {
  name: string;
  from: string;
  fromStage: string | null;
  copiesFrom: string[];
}
export interface ParsedDockerfile {
  stages: DockerStage[];
}
export interface BuildTarget {
  stages: number;
  baseImages: { ref: string; digest: string | null }[];
}
export function digestOf(ref: string): string | null;
export function parseDockerfile(text: string, buildArgs?: Record<string, string>): ParsedDockerfile;
export function buildTarget(parsed: ParsedDockerfile, target?: string): BuildTarget;
