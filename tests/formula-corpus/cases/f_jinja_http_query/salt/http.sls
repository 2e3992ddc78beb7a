{% set u = 'http://127.0.0.1:18471' %}
{% set cases = {
  'plain': (u ~ '/echo')|http_query,
  'params_status': (u ~ '/echo')|http_query(params={'a': 1, 'b': 'x y'}, status=True),
  'post_dict': (u ~ '/echo?q=1')|http_query(method='POST', data={'k': 'v', 'n': 2}, decode=True),
  'post_text_hdr': (u ~ '/echo')|http_query(method='PUT', data='raw body', header_dict={'X-Test': 'one', 'Content-Type': 'text/x-halite'}, decode=True, decode_type='json'),
  'hlist_auth': (u ~ '/echo')|http_query(header_list=['X-Test: two', 'bad'], username='user', password='pw', decode=True, text=True),
  'yaml': (u ~ '/yaml')|http_query(decode=True, headers=True),
  'yaml_forced': (u ~ '/yaml')|http_query(decode=True, decode_type='yaml'),
  'xml_auto': (u ~ '/xml')|http_query(decode=True),
  'text_auto': (u ~ '/text')|http_query(decode=True, status=True),
  'text_plain': (u ~ '/json-as-text')|http_query(decode=True, decode_type='plain'),
  'bad_decode': (u ~ '/echo')|http_query(decode=True, decode_type='csv'),
  'notfound': (u ~ '/nope')|http_query(status=True, headers=True, text=True),
  'refused': 'http://127.0.0.1:1/x'|http_query(status=True),
  'refused2': 'http://127.0.0.1:1/x'|http_query,
  'test': (u ~ '/echo')|http_query(test=True),
  'verify': (u ~ '/echo')|http_query(verify_ssl=False, status=True),
  'agent': (u ~ '/echo')|http_query(agent='custom/1'),
} %}
{% for k, v in cases.items() %}
{% if 'headers' in v %}{% do v.update({'headers': v.headers|dictsort}) %}{% endif %}
{{ k }}:
  test.nop:
    - name: {{ v|json|yaml_dquote }}
{% endfor %}
{% set r = (u ~ '/echo')|http_query('POST', {'p': 'q'}, 'a=b', decode=True) %}
positional:
  test.nop:
    - name: {{ r|json|yaml_dquote }}
key_order:
  test.nop:
    - name: "{{ cases.notfound.keys()|list }} {{ cases.yaml.keys()|list }} {{ cases.hlist_auth.keys()|list }} {{ cases.refused.keys()|list }}"
{% set h = ((u ~ '/yaml')|http_query(headers=True)).headers %}
headers_mapping:
  test.nop:
    - name: "{{ h['content-type'] }} {{ h['Content-Type'] }} {{ h.get('CONTENT-TYPE') }} {{ h.get('x-nope', 'dflt') }} {{ 'server' in h }} {{ 'Server' in h }} {{ 'nope' in h }} {{ h|length }} {{ h|list }} {{ h.keys()|list }} {{ h.items()|list }} {{ h is mapping }}"
