defmodule Hello.MixProject do
  use Mix.Project

  def project do
    [
      app: :hello,
      version: "0.1.0",
      elixir: "~> 1.15",
      start_permanent: Mix.env() == :prod,
      deps: deps()
    ]
  end

  # inets: Erlang's own HTTP server, so the app needs nothing from Hex
  def application do
    [
      extra_applications: [:logger, :inets],
      mod: {Hello.Application, []}
    ]
  end

  defp deps do
    []
  end
end
