yaml-out:
  file.serialize:
    - name: __SCRATCH__/out.yaml
    - serializer: yaml
    - dataset:
        zeta: 1
        alpha: {b: [1, 2], a: 'x: y'}
        mid: "yes"
json-out:
  file.serialize:
    - name: __SCRATCH__/out.json
    - formatter: json
    - dataset_pillar: daemon
same:
  file.serialize:
    - name: __SCRATCH__/same.json
    - serializer: json
    - dataset: {a: 1}
merged:
  file.serialize:
    - name: __SCRATCH__/merge.json
    - serializer: json
    - merge_if_exists: True
    - dataset: {a: 1}
nocreate:
  file.serialize:
    - name: __SCRATCH__/absent.json
    - serializer: json
    - create: False
    - dataset: {a: 1}
show:
  cmd.run:
    - name: cat __SCRATCH__/out.yaml __SCRATCH__/out.json
