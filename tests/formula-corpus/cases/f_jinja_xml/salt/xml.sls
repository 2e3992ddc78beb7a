{% set service = {'service': {'name': 'web', 'port': 8080, 'enabled': true, 'ratio': 0.5, 'backend': [{'host': 'a', 'weight': 1}, {'host': 'b', 'weight': 2}], 'tls': {'cert': '/etc/a&b.pem', 'opts': {'min': 'TLSv1.2'}}, 'note': none}} %}
out:
  file.managed:
    - name: __SCRATCH__/out.xml
    - contents: |
        {{ service|xml|indent(8) }}
        {{ {'a': 'first', 'b': 'x<y & "z"'}|xml|indent(8) }}
        {{ {'items': {'item': [1, 'two', {'id': 3}]}}|xml|indent(8) }}
        {{ {'deep': {'l1': {'l2': {'l3': {'v': 'caf\u00e9'}}}}}|xml|indent(8) }}
        {{ ['ab']|xml|indent(8) }}
        {{ {'e': ''}|xml|indent(8) }}
show:
  cmd.run:
    - name: cat __SCRATCH__/out.xml
