# Makes .gem files of the gems Debian packages: a package either keeps a gem's folder under
# rubygems-integration, or spreads its lib/ over vendor_ruby (then its file list says which).
require "rubygems/package"
require "fileutils"
out = ARGV.shift
ARGV.each do |pkg|
  listed = `dpkg -L #{pkg}`.lines.map(&:chomp).select { |f| File.file?(f) }
  spec = Gem::Specification.load(listed.find { |f| f.include?("/specifications/") && f.end_with?(".gemspec") })
  dir = "/tmp/build/#{spec.name}"
  FileUtils.mkdir_p(dir)
  gem_dir = listed.map { |f| f[%r{\A.*/rubygems-integration/all/gems/#{spec.name}-#{spec.version}/}] }.compact.first
  pairs = if gem_dir
    listed.select { |f| f.start_with?(gem_dir) }.map { |f| [f, f.delete_prefix(gem_dir)] }
  else
    listed.select { |f| f.start_with?("/usr/lib/ruby/vendor_ruby/") }.map { |f| [f, "lib/" + f.delete_prefix("/usr/lib/ruby/vendor_ruby/")] } +
      spec.executables.map { |e| ["/usr/bin/#{e}", "#{spec.bindir}/#{e}"] }
  end
  pairs.each do |from, to|
    FileUtils.mkdir_p(File.join(dir, File.dirname(to)))
    FileUtils.cp(from, File.join(dir, to))
  end
  spec.files = pairs.map(&:last)
  Dir.chdir(dir) { FileUtils.mv(Gem::Package.build(spec), out) }
end
