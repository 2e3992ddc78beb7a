{% set t = '__SCRATCH__/tree' %}
out:
  file.managed:
    - name: __SCRATCH__/out.txt
    - contents: |
        comb={{ [1, 2, 3]|combinations(2)|list }} {{ 'abc'|combinations(r=2)|list }} {{ [1]|combinations(2)|list }} {{ [1, 2]|combinations(0)|list }}
        combr={{ 'ab'|combinations_with_replacement(2)|list }} {{ [1, 2, 3]|combinations_with_replacement(1)|list }}
        perm={{ [1, 2, 3]|permutations(2)|list }} {{ [1, 2]|permutations|list }} {{ 'ab'|permutations(3)|list }}
        prod={{ [1, 2]|product(['a', 'b'])|list }} {{ [0, 1]|product(repeat=2)|list }} {{ 'ab'|product('x', 'yz')|list }}
        comp={{ 'abcdef'|compress([1, 0, 1, 0, 1, 1])|list }} {{ [1, 2, 3]|compress([true, false])|list }}
        zipl={{ [1, 2, 3]|zip_longest(['a'])|list }} {{ [1]|zip_longest([2, 3], fillvalue='-')|list }}
        loop={% for a, b in [1, 2, 3]|combinations(2) %}{{ a }}{{ b }},{% endfor %} {{ [1, 2]|product([3])|map('join', '-')|join(' ') }}
        skip=[{{ 'x'|skip }}] [{{ {'a': 1}|skip }}]
        mc={{ [1, 2, 2]|method_call('count', 2) }} {{ {'a': 1}|method_call('get', 'b', 0) }} {{ 'a,b'|method_call('split', ',') }} {{ 'abc'|method_call('upper') }} {{ 1|method_call('nope') }} {{ 'x'|method_call('nope', 1) }}
        text={{ (t ~ '/text.txt')|is_text_file }} {{ (t ~ '/bin.dat')|is_text_file }} {{ (t ~ '/utf8.txt')|is_text_file }} {{ (t ~ '/missing')|is_text_file }} {{ (t ~ '/text.txt')|is_text_file(2) }}
        bin={{ (t ~ '/bin.dat')|is_bin_file }} {{ (t ~ '/text.txt')|is_bin_file }} {{ (t ~ '/utf8.txt')|is_bin_file }} {{ t|is_bin_file }} {{ (t ~ '/missing')|is_bin_file }}
        empty={{ (t ~ '/empty')|is_empty }} {{ (t ~ '/text.txt')|is_empty }} {{ (t ~ '/missing')|is_empty }}
        files={{ t|list_files|sort }} {{ (t ~ '/missing')|list_files }}
        which={{ (t ~ '/tool.sh')|which }} {{ (t ~ '/text.txt')|which }} {{ 'no-such-exe-here'|which }} {{ ''|which }} {{ ('sh'|which).endswith('/sh') }}
        uid={{ 'root'|get_uid }} {{ 'no-such-user-here'|get_uid }} {{ none|get_uid }}
show:
  cmd.run:
    - name: cat __SCRATCH__/out.txt
