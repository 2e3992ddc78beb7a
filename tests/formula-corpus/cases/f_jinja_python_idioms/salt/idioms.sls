{% set s = 'Hello World\nsecond Line' %}
{% set d = {'a': 1, 'b': 'two'} %}
{% set l = [3, 1, 2] %}
out:
  file.managed:
    - name: __SCRATCH__/idioms.txt
    - contents: |
        rr={{ 'abc-123-def' | regex_replace('[0-9]+', 'N') }}
        rri={{ 'ABC abc' | regex_replace('abc', 'x', ignorecase=True) }}
        rs={{ s | regex_search('world', ignorecase=True) }}
        rsm={{ s | regex_search('^second', multiline=True) }}
        rsg={{ 'key=val' | regex_search('(\\w+)=(\\w+)') }}
        rsn={{ 'abc' | regex_search('zzz') }}
        rm={{ 'abc123' | regex_match('([a-z]+)([0-9]+)') }}
        rmi={{ 'ABC' | regex_match('abc', ignorecase=True) }}
        def1={{ '' | default('fallback', true) }}
        def2={{ '' | default('fallback') }}
        def3={{ none | default('n', boolean=True) }}
        pct1={{ "%s-%s" % ('a', 2) }}
        pct2={{ "%(a)s/%(b)s" % d }}
        pct3={{ "%05.1f|%d|%x" % (3.14159, 42, 255) }}
        up={{ 'abc'.upper() }} {{ 'A B'.lower() }} {{ ' x '.strip() }}|{{ 'a,b'.split(',') }}
        sw={{ 'foobar'.startswith('foo') }} {{ 'foobar'.endswith('bar') }} {{ 'a-b'.replace('-', '_') }}
        fmt={{ '{0}:{1}'.format('h', 80) }} {{ '{x}'.format(x=1) }}
        items={{ d.items() | list }} keys={{ d.keys() | list }} get={{ d.get('c', 'none') }}
        lst={{ l | sort }} {{ l.index(2) }} {{ l.count(1) }} {{ 'x'.join(['1', '2']) }}
        title={{ 'hello world'.title() }} cap={{ 'hello'.capitalize() }} z={{ '5'.zfill(3) }}
show:
  cmd.run:
    - name: cat __SCRATCH__/idioms.txt
