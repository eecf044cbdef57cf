export { DEMO_DEFAULT_DAYS, DEMO_DEFAULT_END, DEMO_DEFAULT_SEED, DEMO_MIN_DAYS, generateDemoEvents, type DemoOptions } from "./generate";
export { demoScenarios, type ChangeFlag, type DemoScenario, type DriftKind } from "./scenarios";
export { demoUsers, type DemoRole, type DemoUser } from "./users";
export { DEMO_ENVIRONMENTS, DEMO_ORG, DEMO_SERVICES, ENGINEERS, LOCAL_BUILDER, PIPELINE_BOT } from "./catalog";
