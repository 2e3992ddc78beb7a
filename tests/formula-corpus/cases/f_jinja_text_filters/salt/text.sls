{% set rnd = 20 | random_str %}
{% set c = cycler('odd', 'even') %}
{% set j = joiner(' + ') %}
out:
  file.managed:
    - name: __SCRATCH__/text.txt
    - contents: |
        md5={{ 'halite' | md5 }} sha1={{ 'halite' | sha1 }} bytes_md5={{ 'é' | to_bytes | md5 }}
        hmac={{ 'payload' | hmac_compute('s3cret') }}
        hmac_ok={{ 'hello' | hmac('secret', 'iKqz7ejTrflNJquQ07r9SiCDBww7zOnAFO4EpEOEfAs=') }} hmac_bad={{ 'hello' | hmac('secret', 'nope') }}
        uuid={{ 'web01' | uuid }} {{ grains['id'] | uuid | length }}
        file={{ '__SCRATCH__/data.txt' | file_hashsum }} {{ '__SCRATCH__/data.txt' | file_hashsum('md5') }}
        to_bytes={{ 'abc' | to_bytes }} {{ 'é' | to_bytes }} {{ 'é' | to_bytes('latin-1') }}
        rand={{ 100 | random_hash | length }} {{ 7 | rand_str('sha256') | length }} {{ (0 | random_hash) == ('0' | md5) }} {{ rnd | length }} {{ rnd | regex_match('^[A-Za-z0-9+/]{20}$') is not none }}
        camel={{ 'pkg_repo_name' | to_camelcase }} {{ 'pkg_repo_name' | to_camelcase(uppercamel=True) }} {{ 'x' | to_camelcase(True) }}
        snake={{ 'pkgRepoName' | to_snake_case }} {{ 'HTTPServerError' | to_snake_case }} {{ 'getHTTP' | to_snake_case }}
        hex={{ 'deadBEEF' | is_hex }} {{ '0x1f' | is_hex }} {{ 'xyz' | is_hex }} {{ 42 | is_hex }} {{ '' | is_hex }}
        ws={{ 'no_space' | contains_whitespace }} {{ 'has space' | contains_whitespace }}
        wb={{ 'web01' | check_whitelist_blacklist(whitelist=['web*']) }} {{ 'db01' | check_whitelist_blacklist(whitelist='web.*') }} {{ 'web01' | check_whitelist_blacklist(['web*'], ['web01']) }} {{ 'x' | check_whitelist_blacklist }}
        date={{ '2002/12/25' | strftime }} {{ '2002-12-25 13:14:15' | date_format('%A %d %B %Y %H:%M:%S %j %p') }} {{ 'Dec 25, 2002' | strftime('%y%m%d') }} {{ '25 December 2002 10:30' | strftime('%c') }}
        date2={{ '15.03.2024' | strftime }} {{ 'March 2024' | strftime }} {{ 'Fri, 15 Mar 2024 09:30:00 +0000' | strftime('%d/%m/%Y %I:%M %p') }} {{ '2024-03-15 9:30pm' | date_format('%H:%M') }} {{ '2024-03' | strftime('%B') }}
        center=[{{ 'abc' | center(9) }}] [{{ 'ab' | center(width=5) }}]
        size={{ 1 | filesizeformat }}, {{ 999 | filesizeformat }}, {{ 123456789 | filesizeformat }}, {{ 1048576 | filesizeformat(true) }}, {{ '2048' | filesizeformat(binary=True) }}
        escape={{ '<a href="x">Tom & Jerry\'s</a>' | forceescape }}
        strip={{ '<p>Hello   <b>World</b></p> <!-- note --> &amp; &lt;ok&gt;' | striptags }}
        trunc={{ 'the quick brown fox jumps' | truncate(12) }} {{ 'the quick brown fox jumps' | truncate(12, True) }} {{ 'the quick brown fox jumps' | truncate(12, end='~', leeway=0) }} {{ 'short' | truncate(3, end='') }}
        words={{ 'Hello world, foo_bar 42 x-y' | wordcount }}
        attrs={{ {'class': 'menu main', 'id': 'nav', 'hidden': none} | xmlattr }}
        urls={{ 'docs at https://docs.saltproject.io/en/latest. or www.example.org, (mail admin@example.com)' | urlize }} {{ 'http://example.com/very/long/path' | urlize(12, nofollow=True, target='_blank') }} {{ 'ftp://files.example.com/pub' | urlize(extra_schemes=['ftp://']) }}
        choice={{ ['a', 'b', 'c'] | random in ['a', 'b', 'c'] }} {{ [5] | random }}
        cycle={{ c.next() }} {{ c.next() }} {{ c.next() }} {{ c.current }}
        join={{ j() }}a{{ j() }}b{{ j() }}c
        lipsum={{ lipsum(3, html=False).split('\n\n') | length }} {{ lipsum(4).count('<p>') }} {{ lipsum(1, False, 20, 21).split() | length }} {{ lipsum(2, False, 5, 6)[-1] }} {{ lipsum(1, min=3, max=4)[:3] }}
    - contents_newline: True
wrapped:
  file.managed:
    - name: __SCRATCH__/wrapped.txt
    - contents: |
        {{ 'A long line of text that wraps, with a well-known hyphenated-word and more words after it' | wordwrap(24) | indent(8) }}
        {{ 'abcdefghijklmnopqrstuvwxyz' | wordwrap(10) | indent(8) }}
        {{ 'x y z' | wordwrap(1, wrapstring='|') }}
show:
  cmd.run:
    - name: cat __SCRATCH__/text.txt __SCRATCH__/wrapped.txt
    - require:
      - file: out
      - file: wrapped
