t: "{{ tplfile }}|{{ tpldir }}|{{ tpldot }}|{{ slspath }}|{{ sls_path }}|{{ slscolonpath }}"
