# The image of one of the portal's Python packages: identity-service, billing-service,
# payment-service, servicedesk-service or the gateway, named by the build arguments. Build from the
# repository root, so the shared library is in the context; docker-compose.yml names each
# service's arguments, and so can anyone who builds one image on its own:
#   docker build -f deploy/service.Dockerfile -t portal/billing-service \
#     --build-arg SERVICE=billing-service --build-arg DISTRIBUTION=billing-service \
#     --build-arg PACKAGE=billing_service --build-arg PORT=8002 .
# PYTHON_IMAGE names the Python base (default: the official image; deploy/images/build makes a
# local equivalent where no registry answers).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# The package's folder, its distribution name (pip) and its import package: no defaults, an image
# is always of one package.
ARG SERVICE
ARG DISTRIBUTION
ARG PACKAGE
# The web tier's port, and the folder the image keeps its state in (owned by its user).
ARG PORT
ARG VAR_DIR=/var/lib/portal

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
# The shared library and its pinned dependencies first: no argument of the package is declared
# yet, so these steps are the same in every image and one build's layers serve the others.
COPY shared/pyproject.toml shared/
COPY shared/src shared/src
RUN pip wheel --wheel-dir /wheels ./shared
# Then this package (with ./shared named again, so the local library is used whatever an index
# holds): wheels of it and every pinned dependency, so the runtime stage installs without
# compilers or network. Tests and local state stay out of the image.
ARG SERVICE
ARG PACKAGE
RUN test -n "${SERVICE}" && test -n "${PACKAGE}" \
 || { echo "build with --build-arg SERVICE=<package folder> PACKAGE=<import package> (see the top of this file)" >&2; exit 1; }
COPY ${SERVICE}/pyproject.toml ${SERVICE}/
COPY ${SERVICE}/src ${SERVICE}/src
# A package with gettext catalogs (the gateway) ships them compiled inside its wheel (git
# ignores the .mo files).
RUN if [ -d "${SERVICE}/src/${PACKAGE}/translations" ]; then \
      pip install babel==2.18.0 \
      && pybabel compile -d "${SERVICE}/src/${PACKAGE}/translations"; \
    fi
RUN pip wheel --find-links /wheels --wheel-dir /wheels ./shared "./${SERVICE}"

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --home-dir /nonexistent --shell /usr/sbin/nologin portal
ARG DISTRIBUTION
ARG PACKAGE
ARG PORT
ARG VAR_DIR
# SERVICE_PACKAGE names the image's package to whatever runs in it: the command below, the
# schema wait of deploy/k8s.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=${PORT} \
    VAR_DIR=${VAR_DIR} \
    SERVICE_PACKAGE=${PACKAGE}
COPY --from=builder /wheels /wheels
RUN pip install --no-index --find-links /wheels "${DISTRIBUTION}" \
 && rm -rf /wheels \
 && mkdir -p "${VAR_DIR}" \
 && chown portal:portal "${VAR_DIR}"
USER 10001:10001
WORKDIR ${VAR_DIR}
EXPOSE ${PORT}
# The web tier. The same image runs the package's other processes (its console scripts: migrate,
# relay, consumer, mailer and the like), which compose and Kubernetes name as the command.
CMD ["sh", "-c", "exec gunicorn -c \"python:${SERVICE_PACKAGE}.gunicorn_conf\" \"${SERVICE_PACKAGE}:create_app()\""]
