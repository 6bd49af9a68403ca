# syntax=docker/dockerfile:1
# kubernaut-intake image: TypeScript compiled in a build stage, production dependencies only at
# runtime (pruned of declarations, source maps, docs and tests), running as an unprivileged user
# with a read-only root filesystem (see the chart).
#
# One base image, written out on every FROM line with its tag and multi-arch index digest:
# Dependabot's docker ecosystem (.github/dependabot.yml) updates FROM lines, not ARG values.
# Node 22 on Debian 13 (trixie): bookworm, the node:22 default, left Debian security support in
# June 2026. To move: change tag and digest together on all three lines.
#
# The two build stages run on the build host's platform ($BUILDPLATFORM): their output
# (JavaScript, and production dependencies without install scripts or native modules) is the
# same for every architecture, so a multi-arch build never runs npm under emulation.

FROM --platform=$BUILDPLATFORM node:22.23.3-trixie-slim@sha256:b26b04c123d9ff8ab646ceb18b9d75a1173acf64b9a401094b906d27b29338d4 AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY operator/ operator/
COPY webhook/ webhook/
RUN npm run build

# A separate stage so dev dependencies never reach the runtime image.
FROM --platform=$BUILDPLATFORM node:22.23.3-trixie-slim@sha256:b26b04c123d9ff8ab646ceb18b9d75a1173acf64b9a401094b906d27b29338d4 AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# About half of production node_modules is .d.ts/.map/docs/tests (93 MB -> 44 MB).
COPY hack/prune-node-modules.sh /usr/local/bin/prune-node-modules
RUN prune-node-modules node_modules
# This stage runs on the build platform only: a native addon would be built for the wrong
# architecture. Fail here rather than ship it; such a dependency needs a per-platform stage.
RUN if find node_modules -name '*.node' | grep .; then echo "native addons found" >&2; exit 1; fi

FROM node:22.23.3-trixie-slim@sha256:b26b04c123d9ff8ab646ceb18b9d75a1173acf64b9a401094b906d27b29338d4
# Set by the release workflow (docker/metadata-action); the defaults describe a local build.
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="kubernaut-intake" \
      org.opencontainers.image.description="Kubernetes operator that turns Alertmanager alerts and Kubernetes Events into RemediationRequests" \
      org.opencontainers.image.url="https://github.com/kubernaut/kubernaut-intake" \
      org.opencontainers.image.source="https://github.com/kubernaut/kubernaut-intake" \
      org.opencontainers.image.documentation="https://github.com/kubernaut/kubernaut-intake/blob/main/docs/install.md" \
      org.opencontainers.image.vendor="kubernaut" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/node:22.23.3-trixie-slim" \
      org.opencontainers.image.base.digest="sha256:b26b04c123d9ff8ab646ceb18b9d75a1173acf64b9a401094b906d27b29338d4"
# The operator never runs npm; removing it takes its dependency tree out of the image.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
ENV NODE_ENV=production
WORKDIR /app
COPY package.json LICENSE ./
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER 65532:65532
EXPOSE 8080 8081 9090
CMD ["node", "dist/operator/main.js"]
