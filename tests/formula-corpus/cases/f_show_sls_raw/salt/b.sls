bstate:
  test.nop: []
gone:
  test.nop: []
