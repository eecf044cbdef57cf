# syntax=docker/dockerfile:1.7
# Custody's image. Every base image is pinned by digest (policy image.base-pinned); the runtime
# stage carries only the Next.js standalone server, its static files and the migrations.
# Targets: the default (last) stage is the server; `--target cli` is the CLI with kubectl, for the
# snapshot CronJob. Digest sources and how to refresh them: see README, "Deploy".
ARG NODE_IMAGE=docker.io/library/node:20.20.2-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
ARG KUBECTL_IMAGE=registry.k8s.io/kubectl:v1.31.2@sha256:d31de5468fb5c0943358671e3dcf8e4d8281108027efd1f211262d09aedd5519

# All dependencies, for the build.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The standalone build, assembled into /out exactly as the runtime stage runs it.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /src/node_modules ./node_modules
COPY . .
RUN node node_modules/next/dist/bin/next build \
 && mkdir -p /out/.next /out/db /out/scripts \
 && cp -R .next/standalone/. /out/ \
 && cp -R .next/static /out/.next/static \
 && cp -R public /out/public \
 && cp -R db/migrations /out/db/migrations \
 && cp scripts/migrate.mjs /out/scripts/migrate.mjs \
 && cp scripts/admission-tls.mjs /out/scripts/admission-tls.mjs \
 && if [ ! -d /out/node_modules/drizzle-orm ]; then cp -R node_modules/drizzle-orm /out/node_modules/drizzle-orm; fi

# Production dependencies only, for the CLI image.
FROM ${NODE_IMAGE} AS cli-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${KUBECTL_IMAGE} AS kubectl

# `docker build --target cli`: custody CLI + kubectl, for the snapshot CronJob.
FROM ${NODE_IMAGE} AS cli
WORKDIR /app
ENV NODE_ENV=production
COPY --from=kubectl /bin/kubectl /usr/local/bin/kubectl
COPY --from=cli-deps /src/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY lib ./lib
COPY db ./db
RUN ln -s /app/bin/custody.mjs /usr/local/bin/custody \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-*
USER node
CMD ["custody", "--help"]

# The server (default target). Code is owned by root and read-only to the node user (uid 1000).
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="custody" \
      org.opencontainers.image.description="The chain of custody for production changes" \
      org.opencontainers.image.base.name="docker.io/library/node:20.20.2-bookworm-slim" \
      org.opencontainers.image.base.digest="sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0"
WORKDIR /app
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    CUSTODY_MODE=server \
    HOSTNAME=0.0.0.0 \
    PORT=3000
COPY --from=build /out/ ./
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server.js"]
