import { readFileSync } from "node:fs";

/** GitLab's own documented webhook payloads (fixtures/README.md: source, fixes, CC BY-SA 4.0). */
export const gitlabFixtures = ["push-hook", "tag-push-hook", "merge-request-hook", "pipeline-hook", "job-hook", "deployment-hook", "release-hook", "emoji-hook"] as const;
export type GitlabFixture = (typeof gitlabFixtures)[number];

/** The header GitLab sends with each fixture (fixtures/README.md). */
export const gitlabHeader: Record<GitlabFixture, string> = {
  "push-hook": "Push Hook",
  "tag-push-hook": "Tag Push Hook",
  "merge-request-hook": "Merge Request Hook",
  "pipeline-hook": "Pipeline Hook",
  "job-hook": "Job Hook",
  "deployment-hook": "Deployment Hook",
  "release-hook": "Release Hook",
  "emoji-hook": "Emoji Hook",
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed fixture the tests reshape freely
export type Payload = Record<string, any>;

/** A fresh copy of a fixture, to be reshaped into one step of a story. */
export function gitlabFixture(name: GitlabFixture): Payload {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as Payload;
}
