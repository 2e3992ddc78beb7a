{% set sent = salt['event.send']('halite/corpus/send', data={'a': 1}, foo='bar') %}
{% set fired = salt['event.fire_master']({'b': 2}, 'halite/corpus/fire') %}
events:
  test.succeed_without_changes:
    - name: send={{ sent }} fire_master={{ fired }}
