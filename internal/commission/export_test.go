package commission

// InsertLines lets the tests write lines as the product does, to deliver a set again.
var InsertLines = insertLines
