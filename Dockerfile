FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# A container is reached from outside it, and its embedded stores live in a volume the node user can write:
# a named volume mounted here takes this directory's owner when it is first created.
ENV IFW_HOST=0.0.0.0 IFW_DATA_DIR=/var/lib/ifw
RUN mkdir -p /var/lib/ifw && chown node:node /var/lib/ifw
VOLUME /var/lib/ifw
USER node
CMD ["node", "dist/cli/main.js", "serve"]
