//! What dslim generates, for each stack and each option, as reviewed snapshots.

mod common;

use common::files;

macro_rules! snapshot {
    ($name:ident, $recipe:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), files($recipe));
        }
    };
}

snapshot!(
    python_pip,
    r#"app "api" {
    python "3.13" manager="pip"
    port 8000
    entrypoint "gunicorn" "--bind" "0.0.0.0:8000" "main:app"
}"#
);

snapshot!(
    python_uv_with_native_deps,
    r#"app "api" {
    python "3.13" manager="uv"
    build-deps "gcc" "libpq-dev"
    runtime-libs "libpq5"
    user "web" uid=1001 gid=1001
    port 8000
    env LOG_LEVEL="info"
    run-env DATABASE_URL="${DATABASE_URL:-postgres://db/app}"
    healthcheck "/health" interval="10s" retries=5
    entrypoint "uvicorn" "main:app" "--host" "0.0.0.0" "--port" "8000"
}"#
);

snapshot!(
    python_poetry_nested_requirements_workdir,
    r#"app "worker" {
    python "3.12" manager="poetry"
    workdir "/srv/worker"
    entrypoint "python" "-m" "worker"
    cmd "--queue" "default"
}"#
);

snapshot!(
    python_pip_custom_requirements,
    r#"app "api" {
    python "3.13" requirements="requirements/prod.txt"
    entrypoint "python" "main.py"
}"#
);

snapshot!(
    python_alpine_behind_a_mirror,
    r#"app "api" {
    python "3.13"
    base "alpine" release="3.22" registry="mirror.example.com/hub"
    build-deps "gcc" "postgresql-dev"
    runtime-libs "libpq"
    entrypoint "python" "main.py"
}"#
);

snapshot!(
    node_api_without_build,
    r#"app "api" {
    node "20"
    port 3000
    entrypoint "node" "server.js"
}"#
);

snapshot!(
    node_api_with_build_and_native_modules,
    r#"app "api" {
    node "22" manager="npm"
    build script="compile" output="lib"
    build-deps "python3" "make" "g++"
    port 3000
    entrypoint "node" "lib/index.js"
}"#
);

snapshot!(
    node_yarn,
    r#"app "api" {
    node "20" manager="yarn"
    entrypoint "node" "index.js"
}"#
);

snapshot!(
    node_pnpm_with_build,
    r#"app "api" {
    node "20" manager="pnpm"
    build
    port 3000
    entrypoint "node" "dist/main.js"
}"#
);

snapshot!(
    node_spa,
    r#"app "web" {
    node "20"
    spa nginx="1.26"
}"#
);

snapshot!(
    node_spa_without_fallback_on_another_port,
    r#"app "web" {
    node "20" manager="pnpm"
    build script="build:prod" output="build"
    spa fallback=#false
    port 9000
}"#
);

snapshot!(
    go_scratch,
    r#"app "server" {
    go "1.24"
    port 8080
}"#
);

snapshot!(
    go_distroless_subpackage,
    r#"app "server" {
    go "1.24" package="./cmd/server"
    runtime "distroless"
    port 8080
    label org.opencontainers.image.source="https://example.com/acme/server"
}"#
);

snapshot!(
    go_slim_with_runtime_libs,
    r#"app "server" {
    go "1.24"
    runtime "slim"
    runtime-libs "tzdata"
    cmd "-listen" ":8080"
}"#
);

snapshot!(
    rust_slim,
    r#"app "server" {
    rust "1.85" bin="server"
    build-deps "pkg-config" "libssl-dev"
    runtime-libs "libssl3t64"
    port 8080
}"#
);

snapshot!(
    rust_distroless,
    r#"app "server" {
    rust "1.85"
    runtime "distroless"
    port 8080
    image "ghcr.io/acme/server:1.2.3"
}"#
);

snapshot!(
    defaults_when_only_the_stack_is_given,
    r#"app "tool" {
    go
}"#
);

#[test]
fn regenerating_is_byte_for_byte_stable() {
    let recipe = r#"app "api" { python "3.13"; env B="2" A="1"; label z.y="1" a.b="2"; entrypoint "python" "main.py" }"#;
    assert_eq!(files(recipe), files(recipe));
}

// node 18 images are not published for Debian 13: the recipe gets the release that has them
snapshot!(
    node_18_gets_the_release_that_publishes_it,
    r#"app "legacy" {
    node "18"
    entrypoint "node" "server.js"
}"#
);

snapshot!(
    python_with_a_build_step,
    r#"app "site" {
    python "3.13"
    port 8000
    build-step "python" "manage.py" "collectstatic" "--noinput" SECRET_KEY="build-only"
    entrypoint "gunicorn" "--bind" "0.0.0.0:8000" "site.wsgi"
}"#
);

snapshot!(
    node_next_start,
    r#"app "web" {
    node "22"
    build "public" "next.config.mjs" script="build" output=".next" cache=".next/cache"
    port 3000
    env PORT="3000"
    entrypoint "node" "node_modules/next/dist/bin/next" "start"
}"#
);

snapshot!(
    node_self_contained_output,
    r#"app "web" {
    node "22"
    build ".next/static" "public" output=".next/standalone" cache=".next/cache" self-contained=#true
    port 3000
    env HOSTNAME="0.0.0.0" PORT="3000"
    entrypoint "node" "server.js"
}"#
);

snapshot!(
    go_on_the_minimal_runtime,
    r#"app "api" {
    go "1.24"
    runtime "minimal"
    port 8080
}"#
);

snapshot!(
    node_on_the_minimal_runtime,
    r#"app "api" {
    node "22"
    runtime "minimal"
    port 3000
    healthcheck "/health"
    entrypoint "node" "server.js"
}"#
);

snapshot!(
    python_on_the_minimal_runtime_with_libraries_it_opens_at_run_time,
    r#"app "api" {
    python "3.13"
    build-deps "gcc" "libpq-dev"
    runtime-libs "libpq5" "libmagic1t64"
    runtime "minimal"
    user "svc" uid=10001
    port 8000
    healthcheck "/health"
    entrypoint "gunicorn" "--bind" "0.0.0.0:8000" "app:app"
}"#
);

snapshot!(
    spa_on_the_minimal_runtime,
    r#"app "web" {
    node "20"
    build output="build"
    spa nginx="1.28"
    runtime "minimal"
    healthcheck "/"
}"#
);

snapshot!(
    spa_on_nginx_with_the_static_probe,
    r#"app "web" {
    node "20"
    build output="dist"
    spa
    healthcheck "/"
}"#
);

snapshot!(
    go_on_scratch_with_the_static_probe,
    r#"app "api" {
    go "1.24"
    port 8080
    healthcheck "/health"
}"#
);

snapshot!(
    ruby_rails_with_native_gems_and_build_steps,
    r#"app "store" {
    ruby "3.3"
    build-deps "gcc" "make" "libpq-dev"
    runtime-libs "libpq5"
    port 3000
    env RAILS_ENV="production"
    healthcheck "/up"
    build-step "bundle" "exec" "bootsnap" "precompile" "--gemfile" "app/" "lib/"
    build-step "./bin/rails" "assets:precompile" RAILS_ENV="production" SECRET_KEY_BASE_DUMMY="1"
    entrypoint "./bin/docker-entrypoint"
    cmd "./bin/rails" "server"
}"#
);

snapshot!(
    ruby_rack_on_alpine,
    r#"app "hello" {
    ruby "3.3" manager="bundler"
    base "alpine" release="3.22"
    port 9292
    entrypoint "bundle" "exec" "rackup" "--host" "0.0.0.0" "--port" "9292"
}"#
);

snapshot!(
    elixir_phoenix_release_with_assets,
    r#"app "shop" {
    elixir "1.17" release="shop"
    build-deps "git"
    port 4000
    env PHX_SERVER="true"
    healthcheck "/"
    build-step "mix" "assets.deploy"
}"#
);

snapshot!(
    ruby_puma_with_jemalloc,
    r#"app "store" {
    ruby "3.3" jemalloc=#true
    runtime-libs "libpq5"
    port 3000
    entrypoint "bundle" "exec" "puma" "--bind" "tcp://0.0.0.0:3000"
}"#
);

snapshot!(
    django_with_assets_built_by_pnpm_in_their_own_stage,
    r#"app "shop" {
    python "3.13" manager="pip"
    port 8000
    assets output="static/dist" folder="frontend" manager="pnpm" node="22"
    build-step "python" "manage.py" "collectstatic" "--noinput"
    entrypoint "gunicorn" "--bind" "0.0.0.0:8000" "shop.wsgi"
}"#
);

snapshot!(
    assets_on_a_node_the_apps_release_has_no_image_of_take_the_newest_that_has,
    r#"app "shop" {
    python "3.13" manager="pip"
    port 8000
    assets output="static/dist" node="18"
    entrypoint "gunicorn" "--bind" "0.0.0.0:8000" "shop.wsgi"
}"#
);

snapshot!(
    a_node_build_step_generates_prisma_client_before_the_build,
    r#"app "api" {
    node "22" manager="npm"
    build-deps "openssl"
    runtime-libs "openssl"
    build "node_modules/.prisma" script="build" output="dist"
    build-step "npx" "prisma" "generate"
    port 3000
    entrypoint "node" "dist/index.js"
}"#
);

snapshot!(
    a_release_command_is_a_one_off_compose_service,
    r#"app "shop" {
    python "3.13" manager="pip"
    port 8000
    run-env DATABASE_URL="${DATABASE_URL}"
    release-command "python" "manage.py" "migrate" "--noinput"
    entrypoint "gunicorn" "--bind" "0.0.0.0:8000" "shop.wsgi"
}"#
);

snapshot!(
    a_dev_target_for_a_node_app_with_every_dependency,
    r#"app "api" {
    node "22" manager="pnpm"
    port 3000
    build script="build" output="dist"
    dev "pnpm" "run" "dev"
    entrypoint "node" "dist/server.js"
}"#
);

snapshot!(
    a_dev_target_for_rails_with_its_development_gems,
    r#"app "store" {
    ruby "3.3"
    port 3000
    env RAILS_ENV="production"
    dev "./bin/rails" "server" "--binding" "0.0.0.0" RAILS_LOG_LEVEL="debug"
    entrypoint "./bin/rails" "server"
}"#
);

snapshot!(
    a_dev_target_for_phoenix_in_mix_dev,
    r#"app "shop" {
    elixir "1.18" release="shop"
    port 4000
    dev "mix" "phx.server"
}"#
);
