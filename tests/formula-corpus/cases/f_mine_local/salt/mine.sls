{% set flushed = salt['mine.flush']() %}
{% set sent = salt['mine.send']('my_id', 'id', mine_function='grains.get') %}
{% set said = salt['mine.send']('said', 'hi', mine_function='test.echo') %}
{% set acl = salt['mine.send']('acl', 'x', mine_function='test.echo', allow_tgt='web*') %}
{% set one = salt['mine.get']('*', 'my_id') %}
{% set multi = salt['mine.get']('*', 'said,acl') %}
{% set other = salt['mine.get']('nobody', 'my_id') %}
{% set raw = salt['data.get']('mine_cache') %}
{% set deleted = salt['mine.delete']('said') %}
{% set after = salt['mine.get']('*', 'said') %}
{% set valid = salt['mine.valid']() %}
{% set flushed2 = salt['mine.flush']() %}
{% set empty = salt['mine.get']('*', 'my_id') %}
out:
  file.managed:
    - name: __SCRATCH__/mine.txt
    - contents: |
        flushed={{ flushed }} sent={{ sent }} said={{ said }} acl={{ acl }}
        one={{ one | json }}
        multi_said={{ multi['said'] | json }} multi_acl={{ multi['acl'] | json }}
        other={{ other | json }}
        raw_acl={{ raw['acl'] | json }}
        deleted={{ deleted }} after={{ after | json }} valid={{ valid }}
        flushed2={{ flushed2 }} empty={{ empty | json }}
show:
  cmd.run:
    - name: cat __SCRATCH__/mine.txt
