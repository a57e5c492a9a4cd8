defmodule Hello.Application do
  @moduledoc false
  use Application

  @impl true
  def start(_type, _args) do
    port = String.to_integer(System.get_env("PORT") || "4000")

    {:ok, _pid} =
      :inets.start(:httpd,
        port: port,
        bind_address: :any,
        server_name: ~c"hello",
        server_root: ~c"/tmp",
        document_root: ~c"/tmp",
        modules: [Hello.Handler]
      )

    Supervisor.start_link([], strategy: :one_for_one, name: Hello.Supervisor)
  end
end
