#!/bin/sh
# Removes what a production node_modules never loads at run time: type declarations, source
# maps, TypeScript sources, documentation, tests, examples and package tooling files. Licence
# and notice files stay (the image redistributes the packages). Used by the Dockerfile; run it
# on a copy to measure: `hack/prune-node-modules.sh /tmp/x/node_modules`.
# Needs GNU find (-regextype); the Debian base image has it.
set -eu
dir=${1:-node_modules}
[ -d "$dir" ] || { echo "prune-node-modules: no directory $dir" >&2; exit 1; }

# Files by name. Node never strips types under node_modules, so .ts/.mts/.cts are dead weight.
find "$dir" -type f \
  ! -iname 'license*' ! -iname 'licence*' ! -iname 'notice*' \
  \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.ts' -o -name '*.mts' \
     -o -name '*.cts' -o -name '*.map' -o -name '*.tsbuildinfo' \
     -o -iname '*.md' -o -iname '*.markdown' -o -iname 'changelog' -o -iname 'changelog.txt' \
     -o -name '.npmignore' -o -name '.eslintrc*' -o -name '.prettierrc*' -o -name '.editorconfig' \
     -o -name '.nycrc*' -o -name '.travis.yml' -o -name 'tsconfig*.json' -o -name '.airtap.yml' \) \
  -delete

# Directories directly under a package root only (node_modules/[@scope/]pkg/<dir>): deeper
# directories with these names can be code (yaml's dist/doc is its Document class).
find "$dir" -regextype posix-extended -type d \
  -regex '(.*/)?node_modules/(@[^/]+/)?[^@/][^/]*/(test|tests|__tests__|docs|example|examples|benchmark|benchmarks|\.github)' \
  -prune -exec rm -rf {} +

# Type-only packages are never required at run time.
find "$dir" -type d -name '@types' -prune -exec rm -rf {} +
find "$dir" -type d -empty -delete
