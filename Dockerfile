# yt-builder: build with the official Swift image, run on a slim Debian with
# ffmpeg, libpq and libsqlite3. One image for the API and the workers.
FROM swift:6.1-bookworm AS build
WORKDIR /src
COPY scripts scripts
RUN scripts/setup-runtime && rm -rf /var/lib/apt/lists/*
COPY Package.swift README.md ./
COPY Sources Sources
COPY Plugins Plugins
COPY sql sql
COPY openapi openapi
COPY web web
RUN scripts/build-release && mkdir -p /out && tar -xzf dist/yt-builder-*.tar.gz -C /out --strip-components=1

FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ffmpeg libpq5 libsqlite3-0 tzdata ca-certificates curl fontconfig fonts-dejavu-core fonts-ebgaramond \
        postgresql-client `# what scripts/setup-runtime --no-build installs, and curl for the health check` \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data yt \
    && mkdir -p /data && chown yt /data
COPY --from=build /out/bin/yt-builder /usr/local/bin/yt-builder
USER yt
WORKDIR /data
VOLUME /data
EXPOSE 5000
ENTRYPOINT []
CMD ["yt-builder", "serve", "--host", "0.0.0.0", "--data-dir", "/data"]
