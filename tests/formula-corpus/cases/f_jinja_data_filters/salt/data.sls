{% set d = {'a': {'x': 1}, 's': 'str'} %}
{% set _ = d|set_dict_key_value('a:b:c', 5) %}
{% set _ = d|update_dict_key_value('a:u', {'k': 1}) %}
{% set _ = d|update_dict_key_value('n', {'k': 2}) %}
{% set _ = d|append_dict_key_value('l', 1) %}
{% set _ = d|extend_dict_key_value('l', [2, 3]) %}
{% set _ = d|extend_dict_key_value('m:chars', 'ab') %}
{% set _ = d|set_dict_key_value('a/x', 2, delimiter='/') %}
{% set _ = d|set_dict_key_value('s:t', 1) %}
{% set rows = ['+----+------+-------+', '| id | name | score |', '+----+------+-------+', '| 1  | a b  | 1.5   |', '| 2  | c    | x     |', '+----+------+-------+'] %}
out:
  file.managed:
    - name: __SCRATCH__/data.txt
    - contents: |
        entries={{ {'a': 1, 'b': [2]}|to_entries }} {{ ['x', 'y']|to_entries }}
        from={{ ['x', 'y']|to_entries|from_entries }} {{ [{'Name': 'n', 'VALUE': 3}, {'key': 'k'}, {'key': ''}, {'KEY': 'z', 'name': 'w', 'value': 0}]|from_entries }}
        cd={{ {'a': 1, 'b': 2}|compare_dicts({'a': 1, 'b': 3}) }} {{ {'a': 1}|compare_dicts({'a': 1}) }} {{ {'a': 1}|compare_dicts({}) }} {{ {}|compare_dicts({'c': [1]}) }}
        cl={{ [1, 2, 3]|compare_lists([2, 3, 4, 5]) }} {{ [1]|compare_lists([1]) }} {{ ['a']|compare_lists([]) }}
        iter={{ [1]|is_iter }} {{ 'ab'|is_iter }} {{ 'ab'|is_iter(none) }} {{ 1|is_iter }} {{ {}|is_iter }} {{ none|is_iter }}
        list={{ [1]|is_list }} {{ 'a'|is_list }} {{ {}|is_list }} {{ ({'a': 1}.items()|list)[0]|is_list }}
        enc={{ {'a': 'x', 'n': 1, 'l': ['y', 2], 'd': {'k': 'v'}}|json_encode_dict }} {{ ['a', {'b': 'c'}, 3]|json_encode_list }}
        dec={{ {'a': 'x'}|json_decode_dict }} {{ ['a']|json_decode_list }}
        dku={{ d }}
        shuffle={{ [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]|random_shuffle(seed='42') }} {{ ['a', 'b', 'c', 'd']|random_shuffle('7') }} {{ ['a', 'b', 'c', 'd']|random_shuffle('héllo') }} {{ [3, 1, 2]|random_shuffle|sort }}
        sample={{ [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]|random_sample(3, seed='42') }} {{ range(100)|list|random_sample(4, seed='-5') }} {{ range(1000)|list|random_sample(5, seed='x') }} {{ [1, 2]|random_sample(0) }} {{ [1, 2, 3]|random_sample(3)|sort }}
        mysql={{ rows|mysql_to_dict('id') }} {{ rows|mysql_to_dict('name') }}
show:
  cmd.run:
    - name: cat __SCRATCH__/data.txt
