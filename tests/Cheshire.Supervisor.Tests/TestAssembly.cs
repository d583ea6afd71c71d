// Every fixture here starts a whole node through the AppHost (five modules, Aspire's DCP): one collection for the
// assembly runs one class at a time, so nodes do not starve each other of the machine's cores nor meet on a module's
// fixed port.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
