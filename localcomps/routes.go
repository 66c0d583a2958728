package localcomps

import "net/http"

// routes registers every endpoint. Patterns double as the keys of
// Stats.Requests.
func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.handle(patternLogin, s.login)
	s.handle(patternRenew, s.renew)

	for _, kind := range kinds {
		p := "/api/" + pluralKey(kind)
		s.handle("GET "+p, s.listEntities(kind))
		s.handle("GET "+p+"/{id}", s.getEntity(kind))
		s.handle("DELETE "+p+"/{id}", s.deleteEntity(kind))
		s.handle("POST "+p+"/{id}/tags", s.postTags(kind))
		s.handle("PUT "+p+"/{id}/State/{state}", s.putState(kind))
	}
	s.handle("POST /api/WorkItems", s.saveWorkItems)
	s.handle("POST /api/AssetCollections", s.saveAssetCollections)
	s.handle("POST /api/Suites", s.saveJSONEntities(kindSuite))
	s.handle("POST /api/Experiments", s.saveJSONEntities(kindExperiment))
	s.handle("POST /api/Simulations", s.saveSimulations)

	s.handle("GET /api/WorkItems/{id}/Related", s.listRelated)
	s.handle("POST /api/WorkItems/{id}/Related/{type}/{kind}/{relatedId}", s.addRelated)
	s.handle("GET /api/WorkItems/RelatedEntityId/{entityId}/Type/{kind}", s.listParents)
	s.handle("GET /api/WorkItems/RelatedEntityId/{entityId}/Type/{kind}/Relation/{type}", s.listParents)

	for _, kind := range []string{kindWorkItem, kindSimulation} {
		p := "/asset/" + pluralKey(kind) + "/{id}"
		s.handle("GET "+p+"/Output", s.listOutputs(kind))
		s.handle("POST "+p+"/Output", s.zipOutputs(kind))
		s.handle("GET "+p+"/Output/{path...}", s.downloadOutput(kind))
		s.handle("GET "+p+"/Files/{name}", s.downloadFile(kind))
	}
	s.handle("GET /asset/AssetCollections/{id}/Assets/{path...}", s.downloadAsset)
	s.handle("POST /api/ZipAssets", s.zipAssets)
	s.handle("GET /asset/Zips/{id}/{name}", s.downloadZip)

	s.handle("GET /api/upload/check/{md5}", s.uploadCheck)
	s.handle(patternUploadChunk, s.uploadChunk)

	s.handle("GET /api/Environments/{name}", s.getEnvironment)
	s.handle("GET /api/users", s.listUsers)
}
