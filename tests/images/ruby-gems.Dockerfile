# Gems for the Ruby apps of the e2e suite, made from Debian's packages: the docker lab reaches
# no rubygems.org. Each package's gem becomes a .gem file in /gems (tests/images/debian-gems.rb),
# which a test puts in an app's vendor/cache, as `bundle cache` would have.
FROM ruby:3.3-slim-trixie
RUN apt-get update \
    && apt-get install -y --no-install-recommends ruby-sinatra ruby-rackup ruby-webrick ruby-ruby2-keywords \
    && rm -rf /var/lib/apt/lists/*
COPY debian-gems.rb /usr/local/bin/debian-gems.rb
RUN mkdir /gems && ruby /usr/local/bin/debian-gems.rb /gems \
    ruby-sinatra ruby-rack ruby-rackup ruby-webrick ruby-mustermann ruby-tilt \
    ruby-rack-protection ruby-rack-session ruby-base64 ruby-ruby2-keywords
