# yt-builder: build with the official Swift image, run on a slim Debian with
# ffmpeg, libpq and libsqlite3. One image for the API and the workers.
FROM swift:6.1-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsqlite3-dev libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources Sources
COPY Plugins Plugins
COPY sql sql
COPY openapi openapi
RUN swift build -c release --product yt-builder --static-swift-stdlib \
    && install -D .build/release/yt-builder /out/yt-builder

FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ffmpeg libpq5 libsqlite3-0 tzdata ca-certificates curl fontconfig fonts-dejavu-core fonts-ebgaramond \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data yt \
    && mkdir -p /data && chown yt /data
COPY --from=build /out/yt-builder /usr/local/bin/yt-builder
USER yt
WORKDIR /data
VOLUME /data
EXPOSE 5000
ENTRYPOINT []
CMD ["yt-builder", "serve", "--host", "0.0.0.0", "--data-dir", "/data"]
