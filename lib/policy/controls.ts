/**
 * The control references Custody maps its rules to. Only ids and short titles in Custody's own
 * words: the ISO and AICPA texts are copyrighted, so nothing here quotes them.
 */

export const frameworks = ["iso27001", "soc2"] as const;
export type Framework = (typeof frameworks)[number];

export const frameworkNames: Record<Framework, string> = {
  iso27001: "ISO/IEC 27001:2022 Annex A",
  soc2: "SOC 2 Trust Services Criteria",
};

const isoTitles = {
  "5.3": "Segregation of duties",
  "5.21": "ICT supply chain security",
  "5.24": "Incident management planning",
  "5.25": "Assessing security events",
  "5.26": "Responding to incidents",
  "5.27": "Learning from incidents",
  "5.28": "Collecting evidence",
  "5.33": "Protecting records",
  "8.8": "Technical vulnerability management",
  "8.9": "Configuration management",
  "8.13": "Information backup",
  "8.15": "Logging",
  "8.16": "Monitoring activities",
  "8.19": "Software installation on operational systems",
  "8.25": "Secure development life cycle",
  "8.28": "Secure coding",
  "8.29": "Security testing before acceptance",
  "8.31": "Separate development, test and production",
  "8.32": "Change management",
  "8.33": "Test information",
} as const;

const soc2Titles = {
  "CC2.1": "Reliable information for internal control",
  "CC3.4": "Assessing changes that affect controls",
  "CC4.1": "Evaluating whether controls operate",
  "CC4.2": "Reporting control deficiencies",
  "CC6.1": "Logical access protection",
  "CC6.2": "Granting and registering access",
  "CC6.3": "Role-based access and least privilege",
  "CC6.8": "Preventing unauthorised software",
  "CC7.1": "Detecting configuration changes and weaknesses",
  "CC7.2": "Monitoring for anomalies",
  "CC7.3": "Evaluating security events",
  "CC7.4": "Responding to incidents",
  "CC7.5": "Recovering from incidents",
  "CC8.1": "Authorised, tested and approved changes",
  "A1.2": "Backup and recovery capacity",
} as const;

export type IsoControlId = keyof typeof isoTitles;
export type Soc2ControlId = keyof typeof soc2Titles;

export interface Control {
  framework: Framework;
  id: string;
  title: string;
}

const titles: Record<Framework, Readonly<Record<string, string>>> = { iso27001: isoTitles, soc2: soc2Titles };

/** Every control, ISO first, each framework in the order above. */
export const controls: readonly Control[] = frameworks.flatMap((framework) =>
  Object.entries(titles[framework]).map(([id, title]) => ({ framework, id, title })),
);

export function isKnownControl(framework: Framework, id: string): boolean {
  return Object.hasOwn(titles[framework], id);
}

/** Looks up one control; throws for an id Custody does not map to (e.g. SOC 2 CC8.2, which does not exist). */
export function control(framework: Framework, id: string): Control {
  const title = isKnownControl(framework, id) ? titles[framework][id] : undefined;
  if (title === undefined) {
    throw new Error(`unknown ${frameworkNames[framework]} control id "${id}"`);
  }
  return { framework, id, title };
}

/** `8.32 Change management` / `CC8.1 Authorised, tested and approved changes`. */
export function controlLabel(c: Control): string {
  return `${c.id} ${c.title}`;
}
