// The CLI's usage texts, kept apart from the commands so that `custody --help` and a usage error load nothing else.
export const gitopsUsage = `  snapshot argocd --environment E
                                read \`kubectl get applications.argoproj.io -A -o json\` from stdin: each
                                status.history entry a deployment, each application's sync state and images
  snapshot flux --environment E read \`kubectl get kustomizations.kustomize.toolkit.fluxcd.io,helmreleases.helm.toolkit.fluxcd.io -A -o json\``;

export const proofUsage = `  verify-proof PROOF.json --checkpoint CP.txt [--old-checkpoint OLD.txt] [--entry ENTRY.json] [--key PUBKEY.pem | --keys-url URL]
                                check an inclusion or consistency proof offline against signed checkpoints
  verify --against DIR [--key PUBKEY.pem]   also compare the ledger with checkpoints witnessed in DIR`;

export const reportUsage = `  report --framework soc2|iso27001 --from DATE --to DATE --format pdf|csv|zip|json --out FILE
        [--kind population|exceptions|incidents|waivers] [--environment E] [--service S]
        [--sample N | --confidence 90|95 --tolerable 5|10] [--seed S]
  keys                          print the public key that signs evidence packages (PEM)
  verify-package FILE.zip [--key PUBKEY.pem | --keys-url URL] [--since OLD.zip] [--allow-unverified-signer]
                                check an evidence package offline: files, signature, each sampled entry's
                                inclusion proof; --since proves the log only grew since the older package`;

export const assertUsage = `  assert --gate merge|deployment|production-apply --environment E (--digest D | --commit SHA | --pr owner/repo#N)
         [--service S] [--image-ref REF] [--provider P --run-id ID] [--manifest-commit SHA]
         [--break-glass-reason TEXT --break-glass-person NAME]
                                ask a gate before the change; exit 0 on allow or warn, 1 on deny`;

export const partitionUsage = `  partitions [ensure|count]     the month partitions of the ledger and the audit log (ensure: create the next months')
  archive --before DATE [--out DIR]
                                detach the months wholly before DATE and write them as verifiable files
  restore FILE [--key PUBKEY.pem]
                                verify an archive file, then load its month back for an audit
  verify-archive FILE [--key PUBKEY.pem]   check an archive file offline`;
