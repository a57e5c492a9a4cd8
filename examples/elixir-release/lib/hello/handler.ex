defmodule Hello.Handler do
  @moduledoc "An httpd module: answers every request."

  # httpd calls do/1 with its `mod` record; the request URI is its ninth field
  def unquote(:do)(request) do
    path = elem(request, 8)
    body = ~c"hello from elixir at " ++ path
    {:proceed, [response: {200, body}]}
  end
end
