{% set d = {'users': [{'age': 30, 'name': 'a', 'tags': ['x', 'y']}, {'age': 20, 'name': 'b', 'tags': []}], 'f': 1.5, 'i': 1.0} %}
out:
  test.nop:
    - name: q
    - filt: {{ d|json_query('users[?age > `25`].name') }}
    - first: "{{ d|json_query('users[0]') }}"
    - numfns: "{{ d|json_query('abs(`-3`)') }} {{ d|json_query('abs(`-2.5`)') }} {{ d|json_query('ceil(f)') }} {{ d|json_query('floor(f)') }} {{ d|json_query('to_number(`\"7\"`)') }} {{ d|json_query('to_number(`\"7.5\"`)') }} {{ d|json_query('to_number(`\"x\"`)') }} {{ d|json_query('sum(`[1.5, 2]`)') }} {{ d|json_query('min(users[*].age)') }}"
    - len: {{ d|json_query('length(users)') }}
    - missing: {{ d|json_query('missing') }}
    - proj: "{{ d|json_query('users[*].{age: age, name: name}') }}"
    - flat: {{ d|json_query('users[].tags[]') }}
    - nums: "{{ d|json_query('f') }} {{ d|json_query('i') }} {{ d|json_query('sum(users[*].age)') }} {{ d|json_query('avg(users[*].age)') }} {{ d|json_query('max_by(users, &age).name') }}"
    - sorted: {{ d|json_query('sort_by(users, &age)[*].name') }}
    - contains: {{ d|json_query('contains(users[0].tags, `"x"`)') }}
