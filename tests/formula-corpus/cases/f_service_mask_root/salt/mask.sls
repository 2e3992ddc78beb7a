{% set root = '__SCRATCH__' %}
{% set u = 'halite-corpus.service' %}
{% set before = salt['service.masked'](u, root=root) %}
{% set m = salt['service.mask'](u, root=root) %}
{% set after = salt['service.masked'](u, False, root) %}
{% set rt_before = salt['service.masked'](u, runtime=True, root=root) %}
{% set rm = salt['service.mask']('halite-corpus', runtime=True, root=root) %}
{% set rt_after = salt['service.masked'](u, runtime=True, root=root) %}
{% set um = salt['service.unmask'](u, root=root) %}
{% set gone = salt['service.masked'](u, root=root) %}
{% set um_again = salt['service.unmask'](u, root=root) %}
{% set sock = salt['service.mask']('halite-corpus.socket', root=root) %}
facts:
  test.show_notification:
    - text: "before={{ before }} mask={{ m }} after={{ after }} rt_before={{ rt_before }} rmask={{ rm }} rt_after={{ rt_after }} unmask={{ um }} gone={{ gone }} unmask_again={{ um_again }} sock={{ sock }}"
links:
  cmd.run:
    - name: find . -type l -printf '%p -> %l\n' | sort
    - cwd: __SCRATCH__
