# grinder: adaptive grid trading, live runtime image.
# Two stages: compile TypeScript with dev dependencies, then ship only the
# compiled output and production dependencies, run as the unprivileged "node" user.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
# --ignore-scripts: the "prepare" script compiles, and the sources are not copied yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src/ src/
# tsconfig.json excludes the tests; test support lives in test/, which is not copied.
RUN npx tsc -p tsconfig.json \
    && rm -f dist/.tsbuildinfo \
    && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules/ ./node_modules/
COPY --from=build /app/dist/ ./dist/
COPY monitoring/ ./monitoring/
COPY fixtures/ ./fixtures/
# The live journal (state/journal-<mode>-<source>-<symbols>.jsonl) must survive restarts and be
# shared by the HA pair: a writable volume owned by the runtime user.
RUN mkdir -p /app/state && chown node:node /app/state
VOLUME ["/app/state"]
USER node

# /healthz, /readyz and /metrics (grinder live --metrics-port); grinder binds
# 127.0.0.1 by default, so the image binds every interface explicitly.
EXPOSE 9090

# No curl in the slim image: Node's own fetch probes liveness.
HEALTHCHECK --interval=30s --timeout=10s --start-period=5s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:9090/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "dist/cli/bin.js", "live"]
CMD ["--symbols", "BTCUSDT,ETHUSDT", "--duration-s", "0", "--metrics-port", "9090", "--metrics-host", "0.0.0.0"]
