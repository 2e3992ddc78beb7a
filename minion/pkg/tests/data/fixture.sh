#!/bin/bash
# fixture.sh ROOT: a sample apt config
R=$1; rm -rf $R; mkdir -p $R/sources.list.d
cat > $R/sources.list <<'X'
# main list
deb http://deb.example.org/debian bookworm main contrib
#deb-src http://deb.example.org/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/ex.gpg] https://pkg.example.com/apt/ stable main # vendor

deb  http://mirror.example.net/debian   bookworm-backports main
X
cat > $R/sources.list.d/one.list <<'X'
deb [trusted=yes] http://local.example/repo ./
deb http://single.example/debian bookworm extra
X
cat > $R/sources.list.d/multi.sources <<'X'
# header comment
Types: deb deb-src
URIs: http://multi.example/debian
Suites: bookworm bookworm-updates
Components: main non-free
Signed-By: /usr/share/keyrings/multi.gpg

Types: deb
URIs: http://other.example/debian/
Suites: trixie
Components: main
Enabled: no
Architectures: amd64 arm64
# trailing
X
cat > $R/sources.list.d/only.sources <<'X'
Types: deb
URIs: http://only.example/debian
Suites: sid
Components: main
X
