# diamond-screen: multi-stage build. The runtime image holds the binary, the models and ONNX
# Runtime's library (from the onnxruntime==1.31.1 wheel); tract stays available as a fallback.
#   docker build --build-arg DIAMOND_SCREEN_COMMIT=$(git rev-parse --short=12 HEAD) -t diamond-screen .
# (the commit the records' tool_version names: .git stays out of the build context)
#   docker run -p 8080:8080 diamond-screen                      # the service
#   docker run -v /archive:/archive diamond-screen screen /archive --out /archive/verdicts.jsonl

FROM rust:1.95-bookworm AS build
WORKDIR /src
ARG DIAMOND_SCREEN_COMMIT=""
COPY . .
RUN cargo build --release --locked --bin diamond-screen \
 && strip target/release/diamond-screen

FROM python:3.11-slim-bookworm AS onnxruntime
RUN pip download --no-deps --only-binary=:all: onnxruntime==1.31.1 -d /wheel \
 && python -m zipfile -e /wheel/onnxruntime-1.31.1-*.whl /ort \
 && cp /ort/onnxruntime/capi/libonnxruntime.so.1.31.1 /libonnxruntime.so.1.31.1

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home screen
COPY --from=build /src/target/release/diamond-screen /usr/local/bin/diamond-screen
COPY --from=onnxruntime /libonnxruntime.so.1.31.1 /opt/onnxruntime/libonnxruntime.so.1.31.1
COPY models /opt/diamond-screen/models
ENV DIAMOND_SCREEN_MODELS=/opt/diamond-screen/models \
    DIAMOND_SCREEN_ORT_LIB=/opt/onnxruntime/libonnxruntime.so.1.31.1 \
    DIAMOND_SCREEN_BACKEND=auto \
    DIAMOND_SCREEN_ADDR=0.0.0.0:8080 \
    DIAMOND_SCREEN_LOG_FORMAT=json
USER 10001
EXPOSE 8080
ENTRYPOINT ["diamond-screen"]
CMD ["serve"]
